/** Secrets planted across the suite; none may ever appear in anything the product outputs. */
export const CANARIES = [
  'sk-ant-test-canary-key-0123456789', // the in-process server's API key (test/helpers.ts)
  'sk-ant-e2e-canary-secret-9f8e7d6c5b4a', // the spawned CLI's API key (test/e2e)
  'ghp_canaryGithubToken0123456789abcdef', // a github_repository authorization_token
  'canary-static-bearer-5f4e3d2c1b0a', // a vault credential's static bearer token
  'canary-env-secret-value-a1b2c3d4e5', // a vault credential's environment_variable secret
  'canary-http-bearer-token-7a6b5c4d3e2f', // HTTP mode's bearer token (test/e2e/http-procs.ts)
];
