/**
 * How a DNS-01 challenge is answered: a TXT record published where the ACME server will look.
 * Production uses RFC 2136 updates to the zone's authoritative server (`Rfc2136DnsSolver`); tests and
 * staging may use pebble-challtestsrv's API. Both sit behind this interface, so the issuer does not change.
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
