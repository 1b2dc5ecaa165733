/**
 * Chromium launch defaults that make WebRTC work headless between browser
 * contexts on one machine. Debian's Chromium by default (`CHROMIUM_PATH`
 * overrides it); Playwright's own browser download is not needed.
 */
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: [
    // Root in a container has no user namespace sandbox.
    '--no-sandbox',
    // Let headless WebRTC gather plain loopback host candidates instead of mDNS names.
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    // Small /dev/shm in containers crashes renderers under load.
    '--disable-dev-shm-usage',
  ],
};
