/**
 * What an error code (the error body's `details.error_code`, the SDK's `APIError.errorCode`) says
 * beyond its HTTP status: whether the API acted, whether the same request can succeed later, and
 * what to do. Each entry restates the doc comment of the SDK's error class of that code (the
 * general ones in `resources/shared.d.ts`, the files ones in `resources/files.d.ts`); the SDK
 * documents that an unknown code is to be read as its bare error type, which is what
 * src/api/errors.ts does for a code not listed here. Never keyed by the message's wording.
 */
export interface CodeAdvice {
  /**
   * `soon` and `later`: the API did not act on the request and the same request can succeed, so
   * retrying is safe even for a create or a send — within a call's backoff (`soon`), or after
   * minutes (`later`, not worth a retry inside the call). `no`: it fails until something outside
   * this request changes.
   */
  retry: 'soon' | 'later' | 'no';
  /** The next step, for the error text's `Next:` line. */
  next: string;
}

const NOT_HERE = 'Nothing this server can change: ';

export const CODE_ADVICE: Readonly<Record<string, CodeAdvice>> = {
  // 503, the API did not act.
  storage_not_ready: {
    retry: 'later',
    next: 'The workspace is still being connected to its storage. The API did not act on the request: retry it in a minute (safe even for a create or a send).',
  },
  cmek_context_unavailable: {
    retry: 'later',
    next: "The workspace's encryption settings could not be read, so the API refused the request without acting: retry it in a few minutes.",
  },
  cmek_key_unreachable: {
    retry: 'soon',
    next: "The workspace's customer-managed encryption key could not be reached; the API did not act. Retry; if it persists, check the key in your key management service.",
  },
  // 429, refused before processing.
  ramp_limit_exceeded: { retry: 'soon', next: 'Usage is growing faster than the ramp limit allows: retry after the time in the retry-after header.' },
  contract_spend_limit_reached: { retry: 'no', next: `${NOT_HERE}the organization has reached the spend limit of its contract; an admin must raise it.` },
  enforced_spend_limit_reached: {
    retry: 'no',
    next: `${NOT_HERE}the organization crossed the monthly usage threshold of its API tier; an admin must raise the tier or wait for the month to end.`,
  },
  // 400, 402, 403: the organisation or workspace refuses this kind of request.
  organization_url_fetch_disabled: {
    retry: 'no',
    next: 'Anthropic turned off URL image and document sources, the web_fetch tool and mcp_servers for this organization: remove them from the agent (update_agent) or the message, then retry.',
  },
  workspace_human_review_disabled: {
    retry: 'no',
    next: 'The workspace of this API key has Human Review turned off, and this operation needs it: use a key of a workspace with Human Review on.',
  },
  organization_on_hold: {
    retry: 'no',
    next: `${NOT_HERE}Anthropic has put the organization on hold; the error's appeal_url, when present, is where to appeal.`,
  },
  organization_type_not_supported: { retry: 'no', next: `${NOT_HERE}this endpoint does not serve the organization's type.` },
  parent_organization_required: { retry: 'no', next: `${NOT_HERE}this endpoint serves only organizations that belong to a parent organization.` },
  sandbox_egress_restricted: {
    retry: 'no',
    next: 'The request came from a Claude sandbox with restricted network access: run this server outside the sandbox, or in one with unrestricted access.',
  },
  cmek_key_disabled: { retry: 'no', next: "The workspace's customer-managed encryption key is disabled or revoked: re-enable it, then retry." },
  cmek_key_network_blocked: {
    retry: 'no',
    next: "Your key management service's network controls blocked the request to the workspace's encryption key: allow it, then retry.",
  },
  linked_organization_billing_unavailable: {
    retry: 'no',
    next: `${NOT_HERE}Anthropic cannot bill the organization linked to the request's user profile; that organization must fix its account.`,
  },
  linked_organization_spend_limit_reached: {
    retry: 'no',
    next: `${NOT_HERE}the organization linked to the request's user profile reached its spend limit or lacks credit.`,
  },
  claude_code_key_creator_not_member: { retry: 'no', next: "The API key's creator left the organization or its Claude Code workspace: use another key." },
  claude_code_version_too_old: { retry: 'no', next: 'Update Claude Code to the version the model or organization requires, then retry.' },
  // Files.
  storage_quota_exceeded: {
    retry: 'no',
    next: "The organization's file storage is full: delete files you no longer need (list_files shows them), then retry.",
  },
  file_not_downloadable: { retry: 'no', next: 'This file cannot be downloaded (only files an agent produced can be): read it where it is used instead.' },
  file_expired: { retry: 'no', next: 'The file has expired and is gone: upload it again (upload_file).' },
};

export function codeAdvice(code: string | null | undefined): CodeAdvice | undefined {
  return code ? CODE_ADVICE[code] : undefined;
}
