import { describe, expect, it } from 'vitest';
import { pickChromium } from './chromium.js';

describe('pickChromium', () => {
  it('prefers CHROMIUM_PATH, then Debian\'s chromium, then Playwright\'s own', () => {
    expect(pickChromium({ CHROMIUM_PATH: '/opt/c' }, () => true)).toBe('/opt/c');
    expect(pickChromium({}, (path) => path === '/usr/bin/chromium')).toBe('/usr/bin/chromium');
    expect(pickChromium({ CHROMIUM_PATH: '' }, () => false)).toBeUndefined();
  });
});
