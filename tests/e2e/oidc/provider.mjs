// A real OpenID Connect provider on loopback, for the sign-in browser tests.
//
// oidc-provider 9 (npm, installed by .ci/run into .ci/node_modules). Everything comes from
// the environment the test fixture sets:
//   OIDC_PROVIDER_MODULE  absolute path of oidc-provider's lib/index.js (ESM: no NODE_PATH)
//   OP_PORT               port to listen on, on 127.0.0.1
//   CALLBACK              the app's redirect URI (http://localhost:APP_PORT/oauth2callback)
//   CLIENT_ID, CLIENT_SECRET
//   USERS_JSON            {"login": {"email": ..., "name": ..., "roles": [...], "regions": [...]}}
//
// Streamlit builds st.user from the ID token alone, so the custom claims (roles, regions)
// ride on the "profile" scope Streamlit asks for, with conformIdTokenClaims off.
import { pathToFileURL } from 'node:url';

const { default: Provider } = await import(pathToFileURL(process.env.OIDC_PROVIDER_MODULE).href);

const OP_PORT = Number(process.env.OP_PORT);
const ISSUER = `http://127.0.0.1:${OP_PORT}`;
const CALLBACK = process.env.CALLBACK;
const USERS = JSON.parse(process.env.USERS_JSON);

const provider = new Provider(ISSUER, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: [CALLBACK],
    post_logout_redirect_uris: [CALLBACK],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'roles', 'regions'],
  },
  conformIdTokenClaims: false,
  async findAccount(ctx, id) {
    const user = USERS[id];
    if (!user) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email_verified: true, ...user };
      },
    };
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  cookies: { keys: ['loopback-test-cookie-key-not-secret'] },
});

provider.on('server_error', (ctx, err) => console.error('server_error', err));
provider.on('authorization.error', (ctx, err) => console.error('authorization.error', err.message));
provider.on('grant.error', (ctx, err) => console.error('grant.error', err.message));

provider.listen(OP_PORT, '127.0.0.1', () => {
  console.log(`OP listening ${ISSUER}/.well-known/openid-configuration`);
});
