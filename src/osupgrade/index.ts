/** OS upgrades: the signed release catalog, upgrade profiles, host pre-check rules and status reports. */
export * from './catalog-schema.js';
export { canonicalJson } from './canonical-json.js';
export { signCatalog, verifyCatalog } from './catalog-signature.js';
export { loadCatalog } from './catalog-file.js';
export { certifiedRelease } from './release-choice.js';
export { compareVersions } from './version-order.js';
export { UpgradeProfile, profileCommand, PLACEHOLDERS, type ProfileCommand } from './upgrade-profile.js';
export { OsUpgradeSettings } from './settings.js';
export { hostFactsCommand, parseHostFacts, type HostFacts } from './host-facts.js';
export { skipReason } from './host-verdict.js';
export { median, isSlow, seconds, slowAfter } from './durations.js';
export * from './history.js';
export { CatalogRefused } from './errors/catalog-refused.js';
export { ReleaseRefused } from './errors/release-refused.js';
export { UpgradeStepFailed } from './errors/upgrade-step-failed.js';
export { adoptionChart } from './adoption-chart.js';
