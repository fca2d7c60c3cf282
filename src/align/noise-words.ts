/**
 * Noise-word augmentation of captions (paper Appendix A.3, "Progressive Decoupling"; method.md
 * stage 2): with probability p = 0.15 one word drawn from a dictionary that shares no word with
 * the data set's corpus is inserted into the input caption t, giving t̂. The mapping sees t̂ in the
 * cost of eq. 2; the bucket loss (eq. 4) keeps the clean caption t, so bucket ids never change.
 *
 * The paper builds its dictionary from DBPedia (Dai & Le 2015 preprocessing) minus the corpus
 * words. Ours: the fixed list of common English words below (astronomy, music, weather,
 * geography, animals, abstract nouns, …), minus every word of the corpus and its simple
 * plural/singular forms (w, w+s, w+es, w without a final s), checked when the augmenter is built;
 * fewer than `minWords` left is an error. Insertion position: uniform over the n + 1 gaps of an
 * n-word caption (words split on whitespace).
 *
 * Deterministic: every draw comes from the RNG passed in (e.g. `Rng.fromSeed(seed).fork(step)`).
 *
 * @example
 * const noise = NoiseWords.fromCorpus(['digit 3 is moving up and down']);
 * noise.insert('digit 3 is moving up and down', Rng.fromSeed(1)); // e.g. 'digit 3 is violin moving up and down'
 */

/** The draws the augmenter needs; `Rng` of src/data/syncdraw/rng.ts fits. */
export interface UniformRng {
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform integer in [lo, hi). */
  int(lo: number, hi: number): number;
}

/** 230 common English words, none of which names a digit, a motion, a person's action or a kitchen task. */
export const NOISE_DICTIONARY: readonly string[] = [
  // astronomy and science
  'galaxy', 'planet', 'comet', 'meteor', 'orbit', 'nebula', 'eclipse', 'asteroid', 'telescope', 'universe',
  'science', 'physics', 'chemistry', 'biology', 'geometry', 'algebra', 'history', 'philosophy', 'grammar', 'poetry',
  // music and arts
  'violin', 'guitar', 'piano', 'trumpet', 'melody', 'rhythm', 'harmony', 'chorus', 'symphony', 'concert',
  'ballad', 'lyric', 'tempo', 'opera', 'orchestra', 'sculpture', 'painting', 'novel', 'theater', 'museum',
  // weather
  'thunder', 'lightning', 'rainbow', 'blizzard', 'drizzle', 'hurricane', 'tornado', 'breeze', 'fog', 'hail',
  'monsoon', 'frost', 'sunshine', 'climate', 'weather', 'snowfall', 'cloud', 'storm', 'humidity', 'drought',
  // geography
  'mountain', 'valley', 'canyon', 'desert', 'island', 'glacier', 'volcano', 'prairie', 'meadow', 'harbor',
  'lagoon', 'cliff', 'jungle', 'swamp', 'tundra', 'savanna', 'continent', 'ocean', 'peninsula', 'horizon',
  // animals
  'elephant', 'giraffe', 'penguin', 'dolphin', 'tiger', 'zebra', 'kangaroo', 'falcon', 'parrot', 'octopus',
  'squirrel', 'turtle', 'camel', 'leopard', 'owl', 'whale', 'beetle', 'butterfly', 'lizard', 'gorilla',
  // buildings and places
  'castle', 'cathedral', 'library', 'airport', 'stadium', 'lighthouse', 'temple', 'palace', 'village', 'kingdom',
  'empire', 'nation', 'province', 'capital', 'embassy', 'parliament', 'university', 'hospital', 'prison', 'cinema',
  // transport
  'bicycle', 'airplane', 'helicopter', 'submarine', 'tractor', 'sailboat', 'rocket', 'canoe', 'scooter', 'locomotive',
  // people and roles
  'lawyer', 'engineer', 'pilot', 'sailor', 'farmer', 'soldier', 'teacher', 'sculptor', 'poet', 'astronaut',
  'architect', 'scientist', 'journalist', 'senator', 'mayor', 'king', 'queen', 'prince', 'princess', 'emperor',
  // objects
  'umbrella', 'necklace', 'bracelet', 'helmet', 'jacket', 'sweater', 'scarf', 'backpack', 'wallet', 'passport',
  'ticket', 'camera', 'keyboard', 'computer', 'telephone', 'radio', 'television', 'newspaper', 'magazine', 'calendar',
  'lantern', 'mirror', 'candle', 'blanket', 'pillow', 'ladder', 'hammer', 'anchor', 'compass', 'trophy',
  // abstract
  'freedom', 'justice', 'democracy', 'economy', 'courage', 'honesty', 'patience', 'wisdom', 'curiosity', 'loyalty',
  'ambition', 'liberty', 'tradition', 'festival', 'holiday', 'birthday', 'wedding', 'election', 'carnival', 'legend',
  // colours and qualities
  'crimson', 'turquoise', 'scarlet', 'indigo', 'amber', 'emerald', 'ivory', 'ancient', 'famous', 'elegant',
  'mysterious', 'royal', 'tropical', 'arctic', 'rural', 'urban', 'electric', 'lonely', 'brave', 'gentle',
  // sports
  'football', 'basketball', 'tennis', 'baseball', 'hockey', 'soccer', 'golf', 'marathon', 'tournament', 'referee',
];

export interface NoiseWordsOptions {
  /** Probability of inserting a word into a caption; the paper's 0.15. */
  p?: number;
  /** Fewest dictionary words that must survive the corpus filter; default 100. */
  minWords?: number;
  /** Replace the built-in dictionary (lower-case words). */
  dictionary?: readonly string[];
}

/** The lower-case word tokens of a text (letters, digits and apostrophes). */
export function tokenize(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9']+/).filter((w) => w.length > 0);
}

/** Every word token of the captions. */
export function corpusVocabulary(captions: Iterable<string>): Set<string> {
  const vocab = new Set<string>();
  for (const c of captions) for (const w of tokenize(c)) vocab.add(w);
  return vocab;
}

/** True when `w` or a simple plural/singular form of it is in `vocab`. */
function inVocabulary(w: string, vocab: ReadonlySet<string>): boolean {
  return vocab.has(w) || vocab.has(`${w}s`) || vocab.has(`${w}es`) || (w.endsWith('s') && vocab.has(w.slice(0, -1)));
}

export class NoiseWords {
  private constructor(
    /** The dictionary words that may be inserted (sorted, disjoint from the corpus). */
    readonly words: readonly string[],
    readonly p: number,
    /** Dictionary words dropped because the corpus uses them. */
    readonly removed: readonly string[],
  ) {}

  /** Build from the data set's captions (all splits: the corpus). */
  static fromCorpus(captions: Iterable<string>, opts: NoiseWordsOptions = {}): NoiseWords {
    return NoiseWords.fromVocabulary(corpusVocabulary(captions), opts);
  }

  static fromVocabulary(vocab: ReadonlySet<string>, opts: NoiseWordsOptions = {}): NoiseWords {
    const p = opts.p ?? 0.15;
    if (!(p >= 0 && p <= 1)) throw new RangeError(`NoiseWords: p must be in [0, 1], got ${p}`);
    const minWords = opts.minWords ?? 100;
    const dict = [...new Set(opts.dictionary ?? NOISE_DICTIONARY)].sort();
    for (const w of dict) {
      if (!/^[a-z]+$/.test(w)) throw new RangeError(`NoiseWords: dictionary word '${w}' must be lower-case letters only`);
    }
    const words = dict.filter((w) => !inVocabulary(w, vocab));
    const removed = dict.filter((w) => inVocabulary(w, vocab));
    if (words.length < minWords) {
      throw new Error(
        `NoiseWords: only ${words.length} of ${dict.length} dictionary words are absent from the corpus (need ${minWords}); ` +
          'the corpus shares too many words with the built-in dictionary: pass a larger dictionary (opts.dictionary) or lower minWords',
      );
    }
    return new NoiseWords(words, p, removed);
  }

  /** Rebuild from a saved word list (e.g. a run's task.json); no corpus check. */
  static fromWords(words: readonly string[], p = 0.15): NoiseWords {
    if (words.length === 0) throw new RangeError('NoiseWords.fromWords: the word list is empty');
    return new NoiseWords([...words], p, []);
  }

  /** `caption` with one dictionary word inserted at a uniform gap. */
  insert(caption: string, rng: UniformRng): string {
    const parts = caption.trim().split(/\s+/).filter((w) => w.length > 0);
    const word = this.words[rng.int(0, this.words.length)]!;
    parts.splice(rng.int(0, parts.length + 1), 0, word);
    return parts.join(' ');
  }

  /** With probability p, `insert`; otherwise the caption unchanged. One `float()` draw always. */
  maybeInsert(caption: string, rng: UniformRng): string {
    return rng.float() < this.p ? this.insert(caption, rng) : caption;
  }

  /** t̂ for every caption of a batch, in order. */
  augment(captions: readonly string[], rng: UniformRng): string[] {
    return captions.map((c) => this.maybeInsert(c, rng));
  }
}
