import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/src/errors.js';
import { loadWrtc } from './node.js';

const missing = (id: string): never => {
  throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
};

describe('murmur-mesh/node loads @roamhq/wrtc lazily', () => {
  it('names the missing optional peer dependency in a MurmurError', () => {
    expect(() => loadWrtc(missing)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_CONFIG, message: expect.stringContaining('npm install @roamhq/wrtc') }));
  });

  it('passes any other load failure on as it is', () => {
    const broken = new Error('the addon crashed');
    expect(() =>
      loadWrtc(() => {
        throw broken;
      }),
    ).toThrow(broken);
  });

  it('loads the installed one once, at first use', () => {
    const wrtc = loadWrtc() as { RTCPeerConnection?: unknown };
    expect(typeof wrtc.RTCPeerConnection).toBe('function');
    expect(loadWrtc(missing)).toBe(wrtc);
  });
});
