/**
 * Turns the catalogue's search box into words the SQL can match. Each word must match the course code,
 * a word of the title or a word of the professor's name (see catalog-read-model.ts).
 */
export interface SearchWord {
  text: string;
  /**
   * Whether InnoDB's FULLTEXT index can find it. Words shorter than innodb_ft_min_token_size (3, the
   * default and what the schema assumes) or on its default stopword list are not in the index at all,
   * so MATCH would find nothing for 'C', 'II' or 'the'; those are matched with LIKE on word starts.
   */
  fulltext: boolean;
}

const FT_MIN_TOKEN_SIZE = 3;
// INFORMATION_SCHEMA.INNODB_FT_DEFAULT_STOPWORD (MariaDB 10.6+ and MySQL 8 ship the same list).
const FT_STOPWORDS = new Set(
  (
    'a about an are as at be by com de en for from how i in is it la of on or that the this to was what ' +
    'when where who will with und www'
  ).split(' '),
);
const MAX_WORDS = 8;

/**
 * Letters and digits only: splitting on everything else drops MATCH's boolean operators (+ - " * ( ) ~
 * < > @) and LIKE's wildcards (% _) along with punctuation, so no word needs escaping afterwards.
 */
export function searchWords(q: string | undefined): SearchWord[] {
  if (!q) return [];
  const seen = new Set<string>();
  const words: SearchWord[] = [];
  for (const text of q.split(/[^\p{L}\p{N}]+/u)) {
    const key = text.toLowerCase();
    if (!text || seen.has(key)) continue;
    seen.add(key);
    words.push({ text, fulltext: [...text].length >= FT_MIN_TOKEN_SIZE && !FT_STOPWORDS.has(key) });
    if (words.length === MAX_WORDS) break;
  }
  return words;
}
