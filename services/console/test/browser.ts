// Chromium for the browser test (test/browser/): Debian's own, driven by playwright-core, which is
// this package's dev dependency and therefore imported here. CI installs it with
// `apt-get install -y chromium`; CHROMIUM_PATH points elsewhere.
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export type { Browser, Page } from "playwright-core";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const launchChromium = async (): Promise<Browser> => {
  if (!existsSync(chromiumPath))
    throw new Error(`no Chromium at ${chromiumPath}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox"] });
};
