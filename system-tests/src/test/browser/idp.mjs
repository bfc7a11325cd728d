// The company's identity provider for ConsoleBrowserTest: panva's oidc-provider (a certified OpenID Connect
// implementation from npm), configured the way a company would for the console: a public client with PKCE,
// refresh tokens, short-lived JWT access tokens carrying Handover's claims (company_id, groups), signed with the
// key the services are told to trust. Its built-in login form accepts the users named in IDP_USERS.
//
// Environment: IDP_PORT, IDP_CLIENT_ID, IDP_REDIRECT_URI, IDP_RESOURCE, IDP_PRIVATE_KEY_PEM,
// IDP_ACCESS_TOKEN_SECONDS, IDP_USERS ({"alice": {"name", "email", "company_id", "groups"}, ...}).
import { createPrivateKey } from "node:crypto";
import Provider from "oidc-provider";

const port = Number(process.env.IDP_PORT);
const issuer = `http://127.0.0.1:${port}`;
const users = JSON.parse(process.env.IDP_USERS);
const resource = process.env.IDP_RESOURCE;
const key = { ...createPrivateKey(process.env.IDP_PRIVATE_KEY_PEM).export({ format: "jwk" }), kid: "handover-test", alg: "RS256", use: "sig" };

const claimsOf = (id) => {
  const user = users[id];
  return user && { sub: id, name: user.name, email: user.email, upn: user.email, company_id: user.company_id, groups: user.groups };
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.IDP_CLIENT_ID,
    token_endpoint_auth_method: "none",
    redirect_uris: [process.env.IDP_REDIRECT_URI],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
  }],
  jwks: { keys: [key] },
  claims: { openid: ["sub"], profile: ["name"], email: ["email"] },
  findAccount: (ctx, id) => users[id] && { accountId: id, claims: () => claimsOf(id) },
  ttl: { AccessToken: Number(process.env.IDP_ACCESS_TOKEN_SECONDS || 60), IdToken: 3600, RefreshToken: 86400 },
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: "openid profile email", accessTokenFormat: "jwt",
        accessTokenTTL: Number(process.env.IDP_ACCESS_TOKEN_SECONDS || 60), jwt: { sign: { alg: "RS256" } } }),
    },
  },
  // the console is the company's own application: no consent screen, refresh tokens without offline_access
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope("openid profile email");
    grant.addResourceScope(resource, "openid profile email");
    await grant.save();
    return grant;
  },
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed("refresh_token"),
  extraTokenClaims: async (ctx, token) => {
    const claims = claimsOf(token.accountId);
    if (!claims) return undefined;
    const { sub, ...rest } = claims;
    return rest;
  },
});
provider.on("grant.error", (ctx, error) => console.error("idp grant error", error.message, error.error_description));
provider.on("server_error", (ctx, error) => console.error("idp server error", error));

provider.listen(port, "127.0.0.1", () => console.log(`idp listening on ${issuer}`));
