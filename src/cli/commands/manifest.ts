import { renderSlackManifest } from '../../app/slack-manifest.js';
import { cliCatalog } from '../cli-catalog.js';

/** `marshal manifest [--url <base>]`: the Slack app manifest for exactly the loaded workflows. */
export async function manifestCommand(
  options: { url?: string },
  print: (text: string) => void,
): Promise<void> {
  const { catalog } = await cliCatalog();
  print(renderSlackManifest(catalog, options.url));
}
