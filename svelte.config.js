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
			env: { dir: root }
		}
	};
	void app;
	return config;
}
