import { z } from 'zod';
import { ErrorCode, MarshalError } from '../../errors/index.js';

/**
 * The incident feed a site configures: an HTTP endpoint answering open incidents in PagerDuty's
 * `GET /incidents` shape (`{ incidents: [{ id, title, status, html_url, service: { summary } }] }`).
 * An incident is open while `triggered` or `acknowledged`.
 */
const Incident = z.looseObject({
  id: z.string(),
  title: z.string(),
  status: z.string(),
  html_url: z.string().optional(),
  service: z.looseObject({ summary: z.string().optional() }).optional(),
  created_at: z.string().optional(),
});
const Feed = z.looseObject({ incidents: z.array(Incident) });

export interface OpenIncident {
  id: string;
  title: string;
  status: string;
  url: string | undefined;
  service: string | undefined;
}

const OPEN = new Set(['triggered', 'acknowledged']);

export class IncidentFeed {
  constructor(private readonly options: { url: string; token?: string | undefined; timeoutMs: number }) {}

  /** The incidents open now. An unreachable or malformed feed is an error, never "no incidents". */
  async open(signal?: AbortSignal): Promise<OpenIncident[]> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let body: unknown;
    try {
      const response = await fetch(this.options.url, {
        headers: {
          accept: 'application/json',
          ...(this.options.token ? { authorization: `Token token=${this.options.token}` } : {}),
        },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = await response.json();
    } catch (err) {
      throw this.failed(err instanceof Error ? err.message : String(err));
    }
    const parsed = Feed.safeParse(body);
    if (!parsed.success)
      throw this.failed(`the answer is not a list of incidents (${parsed.error.issues[0]?.message ?? ''})`);
    return parsed.data.incidents
      .filter((i) => OPEN.has(i.status))
      .map((i) => ({
        id: i.id,
        title: i.title,
        status: i.status,
        url: i.html_url,
        service: i.service?.summary,
      }));
  }

  private failed(why: string): MarshalError {
    // A drill must not start blind: a feed that cannot be read refuses it like an open incident would.
    return new MarshalError(
      ErrorCode.IncidentFeedFailed,
      `The incident feed ${this.options.url} could not be read: ${why}. A drill does not start without knowing there is no open incident.`,
      { retryable: true, context: { url: this.options.url } },
    );
  }
}
