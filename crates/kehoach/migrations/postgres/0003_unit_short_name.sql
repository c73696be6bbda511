-- The name without its type word or parent ("Tam Kỳ", "Sở Thông tin và Truyền thông"), which the
-- resolver matches against; `type_word` holds the administrative type code ("tp", "huyen").
ALTER TABLE units ADD COLUMN short_name TEXT NOT NULL DEFAULT '';
