/**
 * How a DNS-01 challenge is answered: a TXT record published where the ACME server will look.
 * The tests use pebble-challtestsrv's API (src/local/acme); production will use an RFC 2136 update to
 * the zone's authoritative server. Both sit behind this interface, so the issuer does not change.
 */
export interface DnsChallengeSolver {
  /**
   * Publishes `value` as the TXT record `recordName` (e.g. `_acme-challenge.www.example.com`) and
   * resolves once the authoritative server answers with it.
   */
  setTxt(recordName: string, value: string): Promise<void>;
  /** Removes the record again (called whether or not the challenge passed). */
  clearTxt(recordName: string): Promise<void>;
}
