// Shared base for the two SvelteKit apps. Each app (kiosk/, console/) has a
// three-line svelte.config.js that calls defineAppConfig with its own name, so
// both apps build the same way and reach platform/ through one `$platform` alias.
import adapter from '@sveltejs/adapter-node';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The build's version id (issue 10, item 7): APP_VERSION when set (a release tag, a
 * commit), else the package version and the build time, so every build differs and
 * clients notice a new one. Kiosks report it for the fleet view and problem reports,
 * and compare it with the one the server announces (platform/release/). Same pattern
 * as platform/release/version.ts VERSION_PATTERN: a bad APP_VERSION stops the build.
 */
function buildVersion() {
	const given = process.env.APP_VERSION;
	if (given !== undefined && given !== '') {
		if (!/^[\w.+-]{1,64}$/.test(given))
			throw new Error(`APP_VERSION ${JSON.stringify(given.slice(0, 80))} is not a version id: letters, digits and ._+- only, at most 64 characters`);
		return given;
	}
	// One id per build process, however often SvelteKit loads this config.
	if (!process.env.CONCIERGE_BUILD_VERSION) {
		const pkg = JSON.parse(readFileSync(root + 'package.json', 'utf8'));
		process.env.CONCIERGE_BUILD_VERSION = `${pkg.version}+${new Date()
			.toISOString()
			.replace(/[-:]/g, '')
			.replace(/\.\d+Z$/, 'Z')}`;
	}
	return process.env.CONCIERGE_BUILD_VERSION;
}

/** @param {{ name: 'kiosk' | 'console' }} app */
export function defineAppConfig(app) {
	/** @type {import('@sveltejs/kit').Config} */
	const config = {
		compilerOptions: { runes: true },
		kit: {
			// APP_BUILD_DIR and APP_KIT_DIR let a second build sit beside the first (kiosk/tests/update-two-builds.test.ts).
			adapter: adapter({ out: process.env.APP_BUILD_DIR || 'build', precompress: false, envPrefix: '' }),
			alias: { $platform: root + 'platform' },
			// Clients poll /_app/version.json every minute (`updated` in $app/state) besides hearing the
			// version on their event stream's every reconnect.
			version: { name: buildVersion(), pollInterval: 60_000 },
			outDir: process.env.APP_KIT_DIR || '.svelte-kit',
			env: { dir: root },
			// Content-Security-Policy on every page: SvelteKit adds a nonce (rendered pages) or a
			// hash (prerendered ones) for each inline script it writes. The LiveKit server's
			// address is added to connect-src at run time from LIVEKIT_URL, by
			// platform/web/security-headers.ts, which also sets the other security headers.
			csp: {
				mode: 'auto',
				directives: {
					'default-src': ['self'],
					'script-src': ['self'],
					// Svelte's transitions and the app template set style attributes; styles cannot run code.
					'style-src': ['self', 'unsafe-inline'],
					'img-src': ['self', 'data:', 'blob:'],
					'media-src': ['self', 'blob:'],
					'font-src': ['self', 'data:'],
					'connect-src': ['self'],
					// livekit-client may start workers (end-to-end encryption, audio processing) from blob: URLs.
					'worker-src': ['self', 'blob:'],
					'object-src': ['none'],
					'base-uri': ['self'],
					'form-action': ['self'],
					'frame-src': ['none'],
					'frame-ancestors': ['none']
				}
			}
		}
	};
	void app;
	return config;
}
