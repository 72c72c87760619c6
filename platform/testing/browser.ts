/**
 * Real Chromium (Debian's /usr/bin/chromium) through playwright-core, with fake
 * camera, microphone and screen, as verified on these machines (TECH-NOTES §4).
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const artifactsDir = fileURLToPath(new URL('../../test-results/', import.meta.url));

export const CHROMIUM_FLAGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--allow-loopback-in-peer-connection',
	'--disable-features=WebRtcHideLocalIpsWithMdns',
	'--use-fake-ui-for-media-stream',
	'--use-fake-device-for-media-stream',
	'--auto-accept-this-tab-capture',
	'--autoplay-policy=no-user-gesture-required'
];

let browser: Promise<Browser> | null = null;

export function launchBrowser(): Promise<Browser> {
	browser ??= chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
	return browser;
}

export async function closeBrowser(): Promise<void> {
	const b = browser;
	browser = null;
	await (await b)?.close();
}

/** Save a full-page screenshot under test-results/screenshots/ and return its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
	const dir = artifactsDir + 'screenshots/';
	mkdirSync(dir, { recursive: true });
	const path = `${dir}${name}.png`;
	await page.screenshot({ path, fullPage: true });
	return path;
}
