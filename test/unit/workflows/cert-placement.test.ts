import { describe, expect, it } from 'vitest';
import { placementAfterRun, placementLines } from '../../../workflows/cert-renew/placement.js';

const OLD = { fingerprintSha256: 'AA:AA:AA:AA:AA:AA:AA:AA:01', notAfter: '2026-12-01T00:00:00.000Z' };
const NEW = { fingerprintSha256: 'BB:BB:BB:BB:BB:BB:BB:BB:02', notAfter: '2027-02-25T00:00:00.000Z' };
const run = {
  certificate: 'www',
  runId: 'run-1',
  at: '2026-11-27T08:00:00.000Z',
  succeeded: true,
  hosts: ['web-1', 'web-2', 'web-3'],
  changed: ['web-1', 'web-2', 'web-3'],
  restoreFailed: [],
  newCert: NEW,
  before: { 'web-1': OLD, 'web-2': OLD, 'web-3': OLD },
};

describe('the record of which certificate is where', () => {
  it('after a success: every changed host serves the new certificate', () => {
    expect(placementAfterRun(run)).toEqual({
      certificate: 'www',
      runId: 'run-1',
      recordedAt: run.at,
      succeeded: true,
      served: [{ ...NEW, hosts: ['web-1', 'web-2', 'web-3'] }],
      unknown: [],
    });
  });

  it('after a halt: put-back hosts serve the old one, a failed restore is unknown', () => {
    const r = placementAfterRun({ ...run, succeeded: false, changed: ['web-3'], restoreFailed: ['web-2'] });
    expect(r.served).toEqual([
      { ...OLD, hosts: ['web-1'] },
      { ...NEW, hosts: ['web-3'] },
    ]);
    expect(r.unknown).toEqual(['web-2']);
  });

  it('shows the record and the hosts whose live fingerprint differs from it', () => {
    const record = placementAfterRun(run);
    const lines = placementLines(record, {
      'web-1': NEW.fingerprintSha256,
      'web-2': OLD.fingerprintSha256,
      'web-3': NEW.fingerprintSha256,
    });
    expect(lines).toEqual([
      '  recorded by run run-1 at 2026-11-27T08:00:00.000Z:',
      '    BB:BB:BB:BB:BB:BB:BB:BB notAfter 2027-02-25T00:00:00.000Z: web-1, web-2, web-3',
      '  live differs from the record on: web-2',
    ]);
    expect(placementLines(record, { 'web-1': NEW.fingerprintSha256 }).at(-1)).toBe(
      '  live matches the record',
    );
    expect(placementLines(undefined, {})).toEqual([
      '  recorded: nothing yet (no renewal run has recorded where this certificate is)',
    ]);
  });
});
