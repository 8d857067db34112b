import assert from 'node:assert/strict';
import { test } from 'node:test';
import { slopeIllumination, sunPosition } from '../../../core/index.js';

const DEG = Math.PI / 180;

test('sun position: noon zenith = latitude − declination, due south; morning sun in the east', () => {
  // Day 172: declination 0.409·sin(2π·172/365 − 1.39) rad (FAO-56 eq. 24) ≈ 23.45°.
  const decl = 0.409 * Math.sin((2 * Math.PI * 172) / 365 - 1.39);
  const noon = sunPosition(36.6, 172, 12);
  assert.ok(Math.abs(Math.acos(noon.cosZenith) - (36.6 * DEG - decl)) < 1e-9);
  assert.ok(Math.abs(noon.azimuth - 180) < 1e-9);
  const morning = sunPosition(36.6, 172, 10.5);
  assert.ok(morning.azimuth > 90 && morning.azimuth < 180, `azimuth ${morning.azimuth}`);
  // cos θz = sin φ sin δ + cos φ cos δ cos ω with ω = −22.5°.
  const expected = Math.sin(36.6 * DEG) * Math.sin(decl) + Math.cos(36.6 * DEG) * Math.cos(decl) * Math.cos(-22.5 * DEG);
  assert.ok(Math.abs(morning.cosZenith - expected) < 1e-12);
  // The azimuth is consistent with the sun's direction vector: east component sin θz·sin A = −cos δ·sin ω.
  const sz = Math.sqrt(1 - morning.cosZenith ** 2);
  assert.ok(Math.abs(sz * Math.sin(morning.azimuth * DEG) - -Math.cos(decl) * Math.sin(-22.5 * DEG)) < 1e-12);
  assert.ok(sunPosition(36.6, 355, 12).cosZenith < noon.cosZenith, 'the winter sun is lower');
});

test('slope illumination: flat = cos θz, a slope facing the sun gets more, facing away less, self-shadow < 0', () => {
  const sun = sunPosition(36.6, 15, 10.5);
  assert.ok(Math.abs(slopeIllumination(sun, 0, 123) - sun.cosZenith) < 1e-12);
  const towards = slopeIllumination(sun, 20, sun.azimuth);
  assert.ok(Math.abs(towards - Math.cos(Math.acos(sun.cosZenith) - 20 * DEG)) < 1e-12);
  assert.ok(slopeIllumination(sun, 20, (sun.azimuth + 180) % 360) < sun.cosZenith);
  assert.ok(slopeIllumination(sun, 80, (sun.azimuth + 180) % 360) < 0);
});
