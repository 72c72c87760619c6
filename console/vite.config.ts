import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vite';

export default defineConfig({
	plugins: [
		// Messages in messages/{locale}.json (en, ja), compiled offline: the message-format plugin is a local module.
		paraglideVitePlugin({ project: './project.inlang', outdir: './src/lib/paraglide', strategy: ['globalVariable', 'baseLocale'], emitTsDeclarations: true }),
		sveltekit()
	],
	server: { fs: { allow: ['..'] } }
});
