// A real OpenID Connect provider for the tests (npm oidc-provider), on a
// loopback port of its own choosing. It prints one JSON line, {"issuer": ...},
// when it is ready, and runs until its standard input closes (the test ends).
//
// Configuration comes as JSON in OIDC_TEST_CONFIG:
//   {"clients": [{client_id, client_secret, redirect_uris}],
//    "accounts": {"<login>": {claims: name, role, municipality, service, pid}}}
//
// PKCE (S256) is required of every client. Signing in is this provider's own
// interaction: a login page asking for a user name (no password: test accounts).
// Consent is given by the first-party grant loaded below, as the library's
// documentation describes for first-party clients.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG || '{}');
const accounts = config.accounts || {};
const SCOPES = 'openid profile ledger';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', use: 'sig', alg: 'RS256' };

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, error) {
  return `<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>Testpålogging</title></head>
<body><main>
<h1>Testpålogging</h1>
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">Brukernavn</label>
<input id="login" name="login" autocomplete="username" autofocus>
<button type="submit">Logg inn</button>
</form>
</main></body></html>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: (config.clients || []).map((c) => ({
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...c,
    })),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      profile: ['name'],
      ledger: ['role', 'municipality', 'service', 'pid'],
    },
    pkce: { methods: ['S256'], required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, id) {
      const claims = accounts[id];
      if (!claims) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope(SCOPES);
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();

  server.on('request', async (req, res) => {
    const match = req.url.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (!match) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== match[1]) throw new Error('interaction mismatch');
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      if (req.method === 'GET' && !match[2]) return res.end(loginPage(details.uid));
      if (req.method === 'POST' && match[2]) {
        const login = (await readForm(req)).get('login') || '';
        if (!accounts[login]) {
          res.statusCode = 400;
          return res.end(loginPage(details.uid, 'Ukjent brukernavn.'));
        }
        return provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
      }
      res.statusCode = 405;
      res.end();
    } catch (error) {
      res.statusCode = 400;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(`interaction failed: ${error.message}`);
    }
  });
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

// The test holds our standard input; when it closes (the test run ended, or crashed), stop.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
