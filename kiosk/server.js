// The built kiosk app's server: SvelteKit (build/handler.js) behind the lean handlers of platform/web/lean.ts.
// Start it with `node kiosk/server.js` after `vite build` (see platform/web/server.js).
import { serve } from '../platform/web/server.js';

await serve(new URL('./build/', import.meta.url));
