/**
 * Session outputs are Files API objects in the Managed Agents scope: the documentation's examples
 * send both betas on list (with scope_id), retrieve and download; the SDK adds neither by itself.
 */
export const FILE_BETAS = { betas: ['files-api-2025-04-14', 'managed-agents-2026-04-01'] };
