from pathlib import Path

from warehouse.settings import Settings, settings_reference

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_defaults_put_a_ducklake_in_the_data_directory():
    settings = Settings(_env_file=None)
    assert settings.data_dir == Path("data")
    assert settings.warehouse_url() == "ducklake:sqlite:data/catalog.sqlite"
    assert settings.lake_path() == "data/lake/"


def test_settings_come_from_outcomes_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("OUTCOMES_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OUTCOMES_WAREHOUSE", ":memory:")
    monkeypatch.setenv("OUTCOMES_WRITE_RETRIES", "3")
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.warehouse_url() == ":memory:"
    assert settings.write_retries == 3


def test_every_setting_has_help_text():
    for name, field in Settings.model_fields.items():
        assert field.description and len(field.description) > 20, name


def test_docs_document_every_setting_exactly_as_the_model_describes_it():
    docs = DOCS.read_text(encoding="utf-8")
    table = docs.split("<!-- settings:start -->\n")[1].split("<!-- settings:end -->")[0]
    assert table == settings_reference(), "regenerate docs/settings.md from settings_reference()"
    for name in Settings.model_fields:
        assert f"`OUTCOMES_{name.upper()}`" in docs
