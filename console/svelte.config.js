import { defineAppConfig } from '../svelte.config.js';

export default defineAppConfig({ name: 'console' });
