/**
 * The SDK's OpenTelemetry spans (src/api/client.ts, `tracing`): on when the process has a tracer
 * provider to record them or the environment asks for them, off otherwise, where each span would
 * be a no-op built for every request.
 */
import { trace, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createApi } from '../../src/api/client.js';
import { parseConfig, type Config } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';

const api = () =>
  createApi({
    config: parseConfig(['--base-url', 'http://127.0.0.1:9'], { MANAGED_AGENTS_API_KEY: 'sk-ant-tracing-test-key-000000' }) as Config,
    log: silentLogger,
  });
const traces = () => api().client.openTelemetry.traces.enabled;

describe("the SDK's spans", () => {
  afterEach(() => {
    trace.disable();
    delete process.env.ANTHROPIC_OPEN_TELEMETRY;
  });

  it('are off in a process with no tracer provider', () => {
    expect(traces()).toBe(false);
  });

  it('are on, from that provider, once the process has registered one', () => {
    const scopes: string[] = [];
    const noop = trace.getTracer('none');
    const provider: TracerProvider = {
      getTracer: (name: string): Tracer => {
        scopes.push(name);
        return noop;
      },
    };
    expect(trace.setGlobalTracerProvider(provider)).toBe(true);
    expect(traces()).toBe(true);
    expect(scopes.some((s) => s.includes('anthropic'))).toBe(true);
  });

  it('follow ANTHROPIC_OPEN_TELEMETRY when it is set, as the SDK documents', () => {
    process.env.ANTHROPIC_OPEN_TELEMETRY = 'true';
    expect(traces()).toBe(true);
    process.env.ANTHROPIC_OPEN_TELEMETRY = 'false';
    expect(traces()).toBe(false);
  });
});
