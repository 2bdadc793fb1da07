/**
 * The transport under the SDK (src/api/whole-request.ts): when it steps aside for Node's `fetch`.
 * What it does to requests is covered through the SDK against the emulator and hostile upstreams
 * (test/api/limits.test.ts, test/server/errors.test.ts, test/reliability/).
 */
import { describe, expect, it } from 'vitest';
import { transportUsable } from '../../src/api/whole-request.js';

describe('the transport', () => {
  it("is used unless Node is told to route its HTTP through the environment's proxy", () => {
    expect(transportUsable({}, [])).toBe(true);
    expect(transportUsable({ HTTPS_PROXY: 'http://proxy:3128' }, [])).toBe(true);
    expect(transportUsable({ NODE_USE_ENV_PROXY: '0' }, [])).toBe(true);
    expect(transportUsable({ NODE_USE_ENV_PROXY: '1', HTTPS_PROXY: 'http://proxy:3128' }, [])).toBe(false);
    expect(transportUsable({ NODE_OPTIONS: '--max-old-space-size=512 --use-env-proxy' }, [])).toBe(false);
    expect(transportUsable({}, ['--use-env-proxy'])).toBe(false);
  });
});
