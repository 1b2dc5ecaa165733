import { describe, expect, it } from 'vitest';
import { accuse, holdPatience, openSuspicion } from './suspicion.js';

const MIN = 1000;
const MAX = 4000;

function opened(own: boolean, patient: boolean) {
  const suspicion = openSuspicion(0, own ? 'me' : 'a', 0, MIN, MAX, 3, own);
  holdPatience(suspicion, patient, 0);
  return suspicion;
}

describe('a suspicion clock', () => {
  it('starts at its maximum and shrinks with each independent accuser, to its minimum', () => {
    const suspicion = opened(false, false);
    expect(suspicion.deadline).toBe(MAX);
    const deadlines = ['b', 'c', 'd'].map((accuser) => (accuse(suspicion, accuser, false, false, 0), suspicion.deadline));
    expect(deadlines[0]).toBeLessThan(MAX);
    expect(deadlines[2]).toBe(MIN);
    expect(accuse(suspicion, 'b', false, false, 0)).toBe(false);
  });

  it('a late confirmation does not cut short the grace a non-accuser is giving the accusers', () => {
    const suspicion = opened(false, false);
    for (const accuser of ['b', 'c']) accuse(suspicion, accuser, false, false, 0);
    // Its deadline passed; the failure detector granted the accusers' DEAD two more periods to arrive.
    suspicion.graced = true;
    suspicion.deadline = 5000;
    accuse(suspicion, 'd', false, false, 0);
    expect(suspicion.deadline).toBe(5000);
    // Before the grace, a confirmation brings the deadline down as usual.
    const fresh = opened(false, false);
    for (const accuser of ['b', 'c', 'd']) accuse(fresh, accuser, false, false, 0);
    expect(fresh.deadline).toBe(MIN);
  });

  it('a patient suspicion holds its maximum whatever the confirmations', () => {
    const suspicion = opened(false, true);
    for (const accuser of ['b', 'c', 'd']) accuse(suspicion, accuser, false, false, 0);
    expect(suspicion.deadline).toBe(MAX);
  });

  it('our own failed probes override patience, before or after the hearsay', () => {
    const hearsayFirst = opened(false, true);
    accuse(hearsayFirst, 'me', true, false, 0);
    const ownFirst = opened(true, false);
    accuse(ownFirst, 'b', false, true, 0);
    for (const suspicion of [hearsayFirst, ownFirst]) {
      for (const accuser of ['c', 'd']) accuse(suspicion, accuser, false, false, 0);
      expect(suspicion.floor).toBe(0);
      expect(suspicion.deadline).toBe(MIN);
    }
  });

  it('notBefore defers the end, once', () => {
    const suspicion = opened(true, false);
    expect(accuse(suspicion, 'me', true, false, 9000)).toBe(true);
    expect(suspicion.deadline).toBe(9000);
    expect(accuse(suspicion, 'me', true, false, 9000)).toBe(false);
  });
});
