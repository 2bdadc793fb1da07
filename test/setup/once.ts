/**
 * Vitest runs a global setup once for the root configuration and once for each project that
 * extends it (vitest.config.ts), all in the main process. A run-wide setup and its summary belong
 * to the whole run: `once` runs `setup` for the first of them and the teardown it returns after
 * the last, so `npm test` prints each summary once.
 */
type Teardown = () => void | Promise<void>;

const COUNTS = Symbol.for('managed-agents-mcp.test.global-setups');

export function once(name: string, setup: () => Teardown | Promise<Teardown>): () => Promise<Teardown> {
  return async () => {
    const registry = ((globalThis as Record<symbol, unknown>)[COUNTS] ??= new Map()) as Map<string, { users: number; teardown?: Promise<Teardown> }>;
    let entry = registry.get(name);
    if (!entry) registry.set(name, (entry = { users: 0 }));
    entry.users++;
    entry.teardown ??= Promise.resolve(setup());
    await entry.teardown;
    return async () => {
      if (--entry.users > 0) return;
      registry.delete(name);
      await (await entry.teardown!)();
    };
  };
}
