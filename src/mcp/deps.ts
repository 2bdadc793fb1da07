/**
 * The composition root: what a process builds from its configuration once and shares with every
 * MCP server it makes (stdio makes one; --http one per request, docs/http.md). src/cli.ts builds
 * it for either transport; `createServer` and `startHttpServer` build what they are not given the
 * same way (tests make servers without a transport).
 */
import { createRequestStateCodec, type RequestStateCodec } from '@modelcontextprotocol/server';
import { createHash, randomBytes } from 'node:crypto';
import { createApi, type Api } from '../api/client.js';
import { ConfigError, type Config } from '../config.js';
import { registerSecret, type Logger } from '../log.js';
import { createDefaultEnvironment, type DefaultEnvironment } from '../tools/support/default-environment.js';
import type { AskState } from './ask.js';

export interface ProcessDeps {
  /** The one API client: its retry policy, limits and key. */
  api: Api;
  /** The environment start_session uses when given none, looked up or created once. */
  defaultEnvironment: DefaultEnvironment;
  /**
   * Signs what an ask carries between rounds on MCP 2026-07-28 (`stateCodec`): one key per process
   * on stdio; under --http one every replica shares (docs/http.md, "Asking the person").
   */
  requestState: RequestStateCodec<AskState>;
}

export interface ProcessDepsOptions extends Partial<ProcessDeps> {
  log: Logger;
  /** Overrides the API endpoint (the in-process emulator). */
  baseURL?: string;
  apiKey?: string;
  /** Where MANAGED_AGENTS_STATE_SECRET is read. */
  env?: Record<string, string | undefined>;
}

/** What `opts` does not already hold, built from `config`; every credential is registered for redaction first. */
export function createProcessDeps(config: Config, opts: ProcessDepsOptions): ProcessDeps {
  registerSecret(config.apiKey);
  registerSecret(config.authToken);
  registerSecret(opts.apiKey);
  for (const t of config.http?.tokens ?? []) registerSecret(t);
  const api = opts.api ?? createApi({ config, log: opts.log, baseURL: opts.baseURL, apiKey: opts.apiKey });
  return {
    api,
    defaultEnvironment: opts.defaultEnvironment ?? createDefaultEnvironment(api, config),
    requestState:
      opts.requestState ??
      (config.http ? stateCodec(stateKey(config.http.tokens, (opts.env ?? process.env).MANAGED_AGENTS_STATE_SECRET)) : (processCodec ??= stateCodec())),
  };
}

/** How long an ask's request state stays valid: the person's time to answer one form. */
export const REQUEST_STATE_TTL_S = 15 * 60;

/** A request-state codec with `key` (32 bytes or more), valid for `ttlSeconds`. */
export function stateCodec(key: Uint8Array | string = randomBytes(32), ttlSeconds = REQUEST_STATE_TTL_S): RequestStateCodec<AskState> {
  return createRequestStateCodec<AskState>({ key, ttlSeconds });
}
let processCodec: RequestStateCodec<AskState> | undefined;

/**
 * The request-state key: the secret when set (at least 32 characters), else derived from the
 * tokens (every replica has the same ones), else random for this process (one replica only).
 */
function stateKey(tokens: string[], secret: string | undefined): Uint8Array | undefined {
  if (secret) {
    registerSecret(secret);
    if (secret.length < 32) throw new ConfigError('MANAGED_AGENTS_STATE_SECRET must be at least 32 characters (e.g. `openssl rand -hex 32`)');
    return createHash('sha256').update(`managed-agents-mcp request state\0${secret}`).digest();
  }
  if (!tokens.length) return undefined;
  return createHash('sha256')
    .update(`managed-agents-mcp request state\0${[...tokens].sort().join('\0')}`)
    .digest();
}
