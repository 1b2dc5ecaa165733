/**
 * Chromium launch defaults that make WebRTC work headless between browser
 * contexts on one machine. The browser: `CHROMIUM_PATH` if set, else Debian's
 * `/usr/bin/chromium` when it is there, else Playwright's own Chromium (the
 * one `npx playwright install chromium` downloads).
 */
import { existsSync } from 'node:fs';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** The executable to launch; undefined means Playwright's own browser. */
export function pickChromium(env: Readonly<Record<string, string | undefined>>, exists: (path: string) => boolean): string | undefined {
  if (env.CHROMIUM_PATH) return env.CHROMIUM_PATH;
  return exists(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined;
}

const executablePath = pickChromium(process.env, existsSync);

export const chromiumLaunchOptions: { executablePath?: string; args: string[] } = {
  ...(executablePath === undefined ? {} : { executablePath }),
  args: [
    // Root in a container has no user namespace sandbox.
    '--no-sandbox',
    // Let headless WebRTC gather plain loopback host candidates instead of mDNS names.
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    // Small /dev/shm in containers crashes renderers under load.
    '--disable-dev-shm-usage',
  ],
};
