-- Issue 9: the console follows each person's preferred language (null: English, the console's base).
alter table accounts add column preferred_locale text check (preferred_locale in ('ja', 'en'));
