// Shared base for the two SvelteKit apps. Each app (kiosk/, console/) has a
// three-line svelte.config.js that calls defineAppConfig with its own name, so
// both apps build the same way and reach platform/ through one `$platform` alias.
import adapter from '@sveltejs/adapter-node';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

/** @param {{ name: 'kiosk' | 'console' }} app */
export function defineAppConfig(app) {
	/** @type {import('@sveltejs/kit').Config} */
	const config = {
		compilerOptions: { runes: true },
		kit: {
			adapter: adapter({ out: 'build', precompress: false, envPrefix: '' }),
			alias: { $platform: root + 'platform' },
			version: { name: process.env.APP_VERSION ?? 'dev', pollInterval: 60_000 },
			outDir: '.svelte-kit',
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
