import { z } from 'zod';
import type { ShellCommand } from '../hosts/executor.js';
import { quote, sh } from '../hosts/quote.js';

/** The values a profile's command templates may name; each is shell-quoted where it is put. */
export const PLACEHOLDERS = ['url', 'file', 'sha256', 'version', 'release'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const Template = z
  .string()
  .min(1, 'give the command')
  .refine((t) => !/[\r\n]/.test(t), 'must be one line (join commands with && or ;)')
  .superRefine((t, ctx) => {
    for (const m of t.matchAll(/\{([a-zA-Z0-9_]+)\}/g)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(m[1]!))
        ctx.addIssue({
          code: 'custom',
          message: `{${m[1]}} is not a placeholder; allowed: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
        });
    }
  });

/**
 * How a site upgrades its hosts' OS (RAUC, OSTree, an A/B tool, apt): the commands Marshal runs on a
 * host, as shell templates written by the site. `{url}`, `{file}`, `{sha256}`, `{version}` and
 * `{release}` are replaced by single-quoted values, so catalog content never reaches a shell unquoted.
 */
export const UpgradeProfile = z
  .object({
    /** Where images are downloaded on a host; its file system must have room for the image. */
    downloadDir: z.string().regex(/^\/[^\0\s]*[^/]$/, 'must be an absolute directory without a trailing /'),
    commands: z
      .object({
        /** Download `{url}` to `{file}`. */
        fetch: Template,
        /** Exit 0 only when `{file}` has sha256 `{sha256}`. */
        verify: Template,
        /** Install `{file}` into the slot that is not running. */
        install: Template,
        /** Make the newly installed slot the next boot (once: a failed boot returns to the old slot). */
        setNextBoot: Template,
        /** Print the running version (compared with the catalog's `version`). */
        currentVersion: Template,
        /** Keep booting the running slot (after it proved healthy). */
        markGood: Template,
        /** When the host runs the new slot: make the previous slot the next and default boot. */
        bootPrevious: Template,
        /** When the host never booted the new slot: forget the next-boot choice, keep the running slot. */
        cancelNextBoot: Template,
        /** Reboot; default `reboot`. */
        reboot: Template.default('reboot'),
      })
      .strict(),
    timeouts: z
      .object({
        fetchSeconds: z.number().int().positive().default(600),
        installSeconds: z.number().int().positive().default(900),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type UpgradeProfile = z.infer<typeof UpgradeProfile>;
export type ProfileCommand = keyof UpgradeProfile['commands'];

/** A profile command with its placeholders filled, every value single-quoted. */
export function profileCommand(
  profile: UpgradeProfile,
  name: ProfileCommand,
  values: Partial<Record<Placeholder, string>>,
): ShellCommand {
  const text = profile.commands[name].replace(/\{([a-z0-9_]+)\}/g, (_, key: string) => {
    const value = values[key as Placeholder];
    if (value === undefined)
      throw new Error(`profile command ${name} names {${key}}, which has no value here`);
    return quote(value, `{${key}}`);
  });
  return sh`${sh.raw(text)}`;
}
