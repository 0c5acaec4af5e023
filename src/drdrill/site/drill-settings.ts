import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { durationMsSchema } from '../../engine/rollout/duration.js';
import { ErrorCode, ValidationError, formatPath } from '../../errors/index.js';

/**
 * What a site configures for DR drills, in Marshal's config file under `workflowSettings.dr-drill`:
 * the scenarios directory, the incident feed the pre-checks ask, freeze windows, and the load the drill
 * sends through the load balancer while it shifts traffic.
 */
export const DrillSettingsSchema = z.strictObject({
  /** The directory of scenario files, relative to Marshal's config file. */
  scenarios: z.string().min(1, 'name the directory of drill scenarios'),
  /** An HTTP endpoint listing open incidents (PagerDuty's `GET /incidents` shape). */
  incidents: z
    .strictObject({
      url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
      /** The environment variable holding the API token, sent as `Authorization: Token token=…`. */
      tokenEnv: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name')
        .optional(),
      timeoutMs: durationMsSchema({ field: 'incidents.timeout' }).default(10_000),
    })
    .optional(),
  /** Times no drill may start (a sale, a release): ISO instants, from inclusive, until exclusive. */
  freezeWindows: z
    .array(
      z.strictObject({
        from: z.iso.datetime({
          offset: true,
          error: 'must be an ISO date-time such as 2026-12-01T00:00:00Z',
        }),
        until: z.iso.datetime({
          offset: true,
          error: 'must be an ISO date-time such as 2026-12-02T00:00:00Z',
        }),
        reason: z.string().min(1, 'say why, for the operator who is refused'),
      }),
    )
    .default([]),
  /** Real requests sent through the load balancer for the whole shift. */
  load: z
    .strictObject({
      concurrency: z.number().int().min(1).max(64).default(2),
      pauseMs: z.number().int().min(0).max(60_000).default(50),
    })
    .default({ concurrency: 2, pauseMs: 50 }),
});
export type DrillSettings = z.infer<typeof DrillSettingsSchema>;

/** The settings as written (`deps.settings`), checked; paths made absolute against the config's directory. */
export function parseDrillSettings(raw: unknown, configDir: string): DrillSettings {
  if (raw === undefined)
    throw new ValidationError("Marshal's config file", [
      {
        path: 'workflowSettings.dr-drill',
        message:
          'is missing: name the scenarios directory, as workflowSettings: { dr-drill: { scenarios: ./drills } }',
      },
    ]);
  const parsed = DrillSettingsSchema.safeParse(raw);
  if (!parsed.success)
    throw new ValidationError(
      "Marshal's config file",
      parsed.error.issues.map((i) => ({
        path: `workflowSettings.dr-drill.${formatPath(i.path)}`.replace(/\.$/, ''),
        message: i.message,
      })),
      { code: ErrorCode.InvalidConfig },
    );
  const s = parsed.data;
  return { ...s, scenarios: isAbsolute(s.scenarios) ? s.scenarios : resolve(configDir, s.scenarios) };
}
