import { describe, expect, it } from 'vitest';
import { CERT_USAGE, parseCertCommand } from '../../../commands/parse/cert-command.js';
import { DRDRILL_USAGE, parseDrDrillCommand } from '../../../commands/parse/drdrill-command.js';
import { OSUPGRADE_USAGE, parseOsUpgradeCommand } from '../../../commands/parse/osupgrade-command.js';

describe('/cert, /osupgrade and /drdrill parsing', () => {
  it('parses their valid forms', () => {
    expect(parseCertCommand('renew role=lb --canary 1')).toEqual({
      kind: 'renew',
      selector: 'role=lb',
      rollout: { canary: 1 },
      dryRun: false,
    });
    expect(parseOsUpgradeCommand('role=db --batches 25%,100% --delay 10m --dry-run')).toEqual({
      kind: 'upgrade',
      selector: 'role=db',
      rollout: { batches: ['25%', '100%'], soakMs: 600_000 },
      dryRun: true,
    });
    expect(parseDrDrillCommand('start db-failover')).toEqual({
      kind: 'start',
      scenario: 'db-failover',
      dryRun: false,
    });
    expect(parseDrDrillCommand('')).toEqual({ kind: 'help' });
  });

  it.each([
    [() => parseCertCommand('revoke x'), 'subcommand', '`revoke` is not a /cert subcommand', CERT_USAGE],
    [() => parseCertCommand('renew'), '<selector>', 'is missing', CERT_USAGE],
    [() => parseOsUpgradeCommand('--canary 1'), '<selector>', 'is empty', OSUPGRADE_USAGE],
    [() => parseOsUpgradeCommand('role=db --delay soon'), '--delay', '`soon`', OSUPGRADE_USAGE],
    [() => parseDrDrillCommand('start DB_Failover'), '<scenario>', 'is not a scenario name', DRDRILL_USAGE],
    [() => parseDrDrillCommand('start x --canary 1'), '--canary', 'is not a flag', DRDRILL_USAGE],
  ])('refuses bad input naming the part (%#)', (parse, part, problem, usage) => {
    expect(parse).toThrowError(
      expect.objectContaining({ part, problem: expect.stringContaining(problem), usage }),
    );
  });
});
