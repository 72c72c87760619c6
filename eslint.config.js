// ESLint (flat config): a few typed rules that catch real bugs, plus the two
// architecture rules of docs/architecture.md (SQL only in *.repo.ts; platform/ is
// framework-free). Run: `npm run lint`, or `npm test -- lint` with the other checks.
// Formatting is Prettier's job (`npm run format`), so no style rules here.
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import kioskSvelteConfig from './kiosk/svelte.config.js';
import consoleSvelteConfig from './console/svelte.config.js';
import noSqlOutsideRepo from './eslint-rules/no-sql-outside-repo.js';

const code = [
	'platform/**/*.ts',
	'bench/**/*.ts',
	'eslint-rules/**/*.ts',
	'infra/**/*.ts',
	'kiosk/src/**/*.{ts,svelte}',
	'kiosk/tests/**/*.ts',
	'console/src/**/*.{ts,svelte}',
	'console/tests/**/*.ts'
];

export default tseslint.config(
	{
		ignores: ['**/node_modules/', '**/build/', '**/.svelte-kit/', '**/test-results/', 'bench/results/', '.run/', '**/*.d.ts', '**/src/lib/paraglide/']
	},
	{
		linterOptions: { reportUnusedDisableDirectives: 'error' },
		plugins: { '@typescript-eslint': tseslint.plugin, concierge: { rules: { 'no-sql-outside-repo': noSqlOutsideRepo } } }
	},
	{
		files: code,
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: {
				// Each file is checked with the tsconfig.json nearest to it: the root one for
				// platform/ and bench/, each app's own (which extends .svelte-kit/tsconfig.json,
				// so run `svelte-kit sync` first; `npm run lint` does) for kiosk/ and console/.
				projectService: true,
				tsconfigRootDir: import.meta.dirname,
				extraFileExtensions: ['.svelte']
			}
		},
		rules: {
			// A promise nobody awaits loses its error (an unhandled rejection kills the
			// worker) and its ordering. Await it, or write `void p` when fire-and-forget is meant.
			'@typescript-eslint/no-floating-promises': 'error',
			// An async function where a void callback is expected (setInterval, an event
			// emitter, Array.forEach) drops its rejection. Svelte's onclick/onsubmit props are
			// typed `=> any` and are not flagged; an async handler there is fine.
			'@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
			// `await` on something that is not a promise is usually a missing call or a typo.
			'@typescript-eslint/await-thenable': 'error',
			// A switch over a union (call states, event types, roles) names every member,
			// so adding a member is a compile-time list of places to update.
			'@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false }],
			// `return promise` inside try/catch/finally skips the catch and runs the finally early.
			'@typescript-eslint/return-await': ['error', 'error-handling-correctness-only'],
			// Template literals and string concatenation of an object print "[object Object]".
			'@typescript-eslint/no-base-to-string': 'error',
			// A value computed and never read is often a bug (a result dropped, a stale import).
			'@typescript-eslint/no-unused-vars': ['error', { args: 'none', caughtErrors: 'none', ignoreRestSiblings: true, varsIgnorePattern: '^_' }],
			// Core rules for mistakes TypeScript lets through.
			'no-constant-binary-expression': 'error', // a ?? b === c, !x == y
			'no-self-compare': 'error',
			'no-cond-assign': ['error', 'except-parens'],
			'no-dupe-else-if': 'error',
			'no-duplicate-case': 'error',
			'no-fallthrough': 'error',
			'no-unsafe-finally': 'error',
			'no-unsafe-optional-chaining': 'error',
			'no-async-promise-executor': 'error',
			'no-loss-of-precision': 'error',
			'concierge/no-sql-outside-repo': 'error'
		}
	},
	// After the block above: .svelte and .svelte.ts files are parsed by svelte-eslint-parser,
	// which hands their TypeScript to typescript-eslint's parser.
	...svelte.configs.base,
	{
		files: ['**/*.svelte', '**/*.svelte.ts'],
		languageOptions: {
			parserOptions: { parser: tseslint.parser }
		}
	},
	{ files: ['kiosk/**/*.svelte', 'kiosk/**/*.svelte.ts'], languageOptions: { parserOptions: { svelteConfig: kioskSvelteConfig } } },
	{ files: ['console/**/*.svelte', 'console/**/*.svelte.ts'], languageOptions: { parserOptions: { svelteConfig: consoleSvelteConfig } } },
	{
		files: ['**/*.svelte'],
		rules: {
			// {@html} bypasses Svelte's escaping: anything user-supplied in it is XSS.
			'svelte/no-at-html-tags': 'error',
			// target="_blank" without rel="noopener noreferrer" hands the opener to the new page.
			'svelte/no-target-blank': 'error',
			'svelte/no-dupe-else-if-blocks': 'error',
			'svelte/no-dupe-style-properties': 'error',
			'svelte/no-not-function-handler': 'error',
			'svelte/no-object-in-text-mustaches': 'error',
			'svelte/no-unused-svelte-ignore': 'error'
		}
	},
	{
		// platform/ runs outside SvelteKit too (the worker, the CLI, the tests), so it
		// must not import SvelteKit's virtual modules or an app's $lib.
		files: ['platform/**/*.ts'],
		rules: {
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{
							regex: '^\\$(app|env|lib)(/|$)',
							message: 'platform/ runs outside SvelteKit (worker, CLI, tests): no $app, $env or $lib. Take the value as a parameter, or read config via config.server.ts.'
						}
					]
				}
			]
		}
	},
	{
		// Where SQL may be written besides *.repo.ts, and why:
		files: [
			'**/*.repo.ts', // the domain's repository: where SQL belongs
			'platform/db.server.ts', // the pools themselves: withTenant sets the RLS scope (set_config) on each transaction
			'platform/migrate*.ts', // applies the migration files and keeps its schema_migrations table
			'platform/testing/**', // the test harness: resets schemas, migrates, seeds as the owner role
			'**/*.test.ts', // tests read and change rows directly (as the owner) to set up and check what the database holds
			'kiosk/tests/**',
			'console/tests/**',
			'bench/**', // benchmarks seed and read state directly to time it, as tests do
			'infra/tests/**' // the infra tests set up and check what the database holds, as tests do
		],
		rules: { 'concierge/no-sql-outside-repo': 'off' }
	}
);
