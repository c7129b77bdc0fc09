// Shared fixtures of the AEP client unit tests: a config pointing at fake hosts, an undici MockAgent standing in for
// IMS and Platform, and a logger that keeps every line.
import { MockAgent } from 'undici';
import type { AepConfig } from '../../src/aep';

export const PLATFORM = 'https://platform.test';
export const IMS = 'https://ims.test';
export const SECRET = 'p8e-unit-test-client-secret-42';

export function testConfig(overrides: Partial<AepConfig> = {}): AepConfig {
  return {
    platformUrl: PLATFORM,
    imsUrl: IMS,
    clientId: 'unit-client',
    clientSecret: SECRET,
    orgId: 'UNIT0000@AdobeOrg',
    sandbox: 'dev',
    scopes: 'openid,AdobeID',
    requestTimeoutMs: 2000,
    connectTimeoutMs: 1000,
    ...overrides,
  };
}

export function mockAgent(): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  return agent;
}

/** IMS answering with the given tokens in turn; returns the list of form bodies it received. */
export function mockIms(agent: MockAgent, tokens: string[], expiresIn = 86399): string[] {
  const forms: string[] = [];
  let i = 0;
  agent
    .get(IMS)
    .intercept({ path: '/ims/token/v3', method: 'POST' })
    .reply((opts) => {
      forms.push(typeof opts.body === 'string' ? opts.body : '');
      const token = tokens[Math.min(i++, tokens.length - 1)];
      return { statusCode: 200, data: { access_token: token, token_type: 'bearer', expires_in: expiresIn } };
    })
    .persist();
  return forms;
}

export const JSON_HEADERS = { 'content-type': 'application/json' };

export class CapturingLogger {
  readonly lines: string[] = [];
  debug(message: string, meta?: Record<string, unknown>): void {
    this.lines.push(meta ? `${message} ${JSON.stringify(meta)}` : message);
  }
}
