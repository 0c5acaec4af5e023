/**
 * What `knsupdate` said about an update, from its exit code and output: the server's response code
 * (`status: NXRRSET` in the answer's header) and its error line. Pure, so every refusal knsupdate
 * reports can be read in tests without a server.
 */
export interface UpdateOutcome {
  ok: boolean;
  /** The response code in the server's answer (NOERROR, NXRRSET, BADSIG, REFUSED…), when there was one. */
  rcode: string | undefined;
  /** knsupdate's own error line (`;; ERROR: …`) without the prefix, when there was one. */
  error: string | undefined;
}

export function readKnsupdateOutcome(exitCode: number | null, output: string): UpdateOutcome {
  const statuses = [...output.matchAll(/status: ([A-Z]+)/g)].map((m) => m[1]!);
  // A TSIG failure is reported in the TSIG pseudo-section (BADSIG, BADKEY, BADTIME) and says more than the header.
  const tsig = /TSIG\s+\S+\s+\d+\s+\d+\s+\d+\s+(?:\S+\s+)?\d+\s+(BAD[A-Z]+)/.exec(output)?.[1];
  const rcode = tsig ?? statuses.at(-1);
  const error = [...output.matchAll(/^;; ERROR: (.*)$/gm)].map((m) => m[1]!.trim()).at(-1);
  return {
    ok: exitCode === 0 && error === undefined && (rcode === undefined || rcode === 'NOERROR'),
    rcode,
    error,
  };
}

/** What a response code means for the operator who reads the refusal. */
export function explainRcode(rcode: string | undefined): string {
  switch (rcode) {
    case 'NXRRSET':
      return 'a prerequisite does not hold: the record set is not what the scenario says it is now';
    case 'YXRRSET':
      return 'a prerequisite does not hold: a record set exists that the scenario says is absent';
    case 'NXDOMAIN':
    case 'YXDOMAIN':
      return 'a prerequisite on a name does not hold';
    case 'BADSIG':
      return 'the TSIG key was refused: its secret is not the one the server has';
    case 'BADKEY':
      return 'the TSIG key was refused: the server knows no key of that name and algorithm';
    case 'BADTIME':
      return "the TSIG signature's time is off: check both clocks";
    case 'NOTAUTH':
      return 'the server is not authoritative for the zone, or the key is not accepted';
    case 'NOTZONE':
      return 'a record is outside the zone';
    case 'REFUSED':
      return 'the server refused the update: the key may not update this zone';
    case 'SERVFAIL':
      return 'the server failed while applying the update';
    default:
      return rcode ? `the server answered ${rcode}` : 'no answer from the server';
  }
}
