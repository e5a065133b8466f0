import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/index.ts';
import { capabilityOutcome, evenChunks } from '../../shared/rbm/capabilities.ts';
import {
  defaultRegionalTemplate,
  parseRegionOverrides,
  regionalBaseUrl,
  regionOf,
  regionTable,
} from '../../shared/rbm/regions.ts';

describe('regionOf: the default calling-code table (UNCONFIRMED, docs/rbm-platform.md#regions)', () => {
  it.each([
    ['+14155550123', 'us'], // United States
    ['+16135550123', 'us'], // Canada
    ['+18765550123', 'us'], // Jamaica (NANP)
    ['+5511912345678', 'us'], // Brazil
    ['+525512345678', 'us'], // Mexico
    ['+447700900123', 'europe'], // United Kingdom
    ['+4915112345678', 'europe'], // Germany
    ['+33612345678', 'europe'], // France
    ['+79161234567', 'europe'], // Russia
    ['+27821234567', 'europe'], // South Africa
    ['+2348012345678', 'europe'], // Nigeria
    ['+971501234567', 'europe'], // United Arab Emirates
    ['+905321234567', 'europe'], // Turkey
    ['+972501234567', 'europe'], // Israel
    ['+6591234567', 'asia'], // Singapore
    ['+61412345678', 'asia'], // Australia
    ['+819012345678', 'asia'], // Japan
    ['+8613812345678', 'asia'], // China
    ['+919812345678', 'asia'], // India
    ['+923001234567', 'asia'], // Pakistan
    ['+9607771234', 'asia'], // Maldives (96x but not the Middle East)
    ['+2975601234', 'us'], // Aruba (zone 2, in the Americas)
  ])('%s -> %s', (phone, region) => {
    expect(regionOf(phone)).toBe(region);
  });

  it('overrides win by the longest prefix, over the default and over each other', () => {
    const table = regionTable({ '7': 'asia', '44': 'us', '4420': 'asia' });
    expect(regionOf('+79161234567', table)).toBe('asia');
    expect(regionOf('+447700900123', table)).toBe('us');
    expect(regionOf('+442079460123', table)).toBe('asia');
    expect(regionOf('+4915112345678', table)).toBe('europe');
  });
});

describe('RBM_REGION_BY_CALLING_CODE', () => {
  it('parses prefix=region pairs; empty means none', () => {
    expect(parseRegionOverrides('')).toEqual({});
    expect(parseRegionOverrides('7=asia, +90=asia,1876=us')).toEqual({
      '7': 'asia',
      '90': 'asia',
      '1876': 'us',
    });
  });

  it('refuses a bad pair with a reason, and the config names the variable', () => {
    expect(parseRegionOverrides('44=mars')).toMatch(/one of us, europe, asia/);
    expect(parseRegionOverrides('044=europe')).toMatch(/not prefix=region/);
    expect(parseRegionOverrides('12345=us')).toMatch(/1 to 4 digits/);
    expect(() => loadConfig(['capabilities'], { RBM_REGION_BY_CALLING_CODE: '44=mars' })).toThrow(
      /RBM_REGION_BY_CALLING_CODE: "44=mars"/,
    );
  });

  it('checks CAPABILITY_CHECK and the template', () => {
    expect(loadConfig(['capabilities'], {})).toMatchObject({
      CAPABILITY_CHECK: 'off',
      CAPABILITY_CHECK_TIMEOUT_MS: 2000,
      RBM_REGION_BY_CALLING_CODE: {},
    });
    expect(() => loadConfig(['capabilities'], { CAPABILITY_CHECK: 'yes' })).toThrow(/CAPABILITY_CHECK/);
    expect(() =>
      loadConfig(['capabilities'], {
        RBM_REGIONAL_BASE_URL_TEMPLATE: 'https://rcsbusinessmessaging.googleapis.com',
      }),
    ).toThrow(/must contain \{region\}/);
  });
});

describe('regional base URLs', () => {
  it('derives the template from the deployment base URL: the region before the host', () => {
    expect(defaultRegionalTemplate('https://rcsbusinessmessaging.googleapis.com')).toBe(
      'https://{region}-rcsbusinessmessaging.googleapis.com',
    );
    // A base URL that already names a region is taken back to the global host first.
    expect(defaultRegionalTemplate('https://europe-rcsbusinessmessaging.googleapis.com/')).toBe(
      'https://{region}-rcsbusinessmessaging.googleapis.com',
    );
    // The local sandbox: one port for every host, the region as a path prefix.
    expect(defaultRegionalTemplate('http://127.0.0.1:8085')).toBe('http://127.0.0.1:8085/r/{region}');
  });

  it('fills the template per region', () => {
    const template = 'https://{region}-rcsbusinessmessaging.googleapis.com';
    expect(regionalBaseUrl(template, 'europe')).toBe('https://europe-rcsbusinessmessaging.googleapis.com');
    expect(regionalBaseUrl('http://127.0.0.1:8085/r/{region}/', 'asia')).toBe('http://127.0.0.1:8085/r/asia');
  });
});

describe('capability answers and batch sizes', () => {
  it('reads only 200 and 404 as a verdict', () => {
    expect(capabilityOutcome({ ok: true, status: 200 })).toBe('reachable');
    expect(capabilityOutcome({ ok: false, status: 404 })).toBe('unreachable');
    for (const status of [0, 400, 401, 403, 429, 500, 503]) {
      expect(capabilityOutcome({ ok: false, status }), String(status)).toBe('failed');
    }
  });

  it('splits into the fewest even chunks, none above the maximum nor far below it', () => {
    const sizes = (n: number, max: number) => evenChunks(Array.from({ length: n }), max).map((c) => c.length);
    expect(sizes(10_000, 10_000)).toEqual([10_000]);
    expect(sizes(10_001, 10_000)).toEqual([5_001, 5_000]);
    expect(sizes(25_000, 10_000)).toEqual([8_334, 8_333, 8_333]);
    expect(sizes(0, 10_000)).toEqual([]);
  });
});
