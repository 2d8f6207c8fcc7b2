import { expect } from 'chai';
import { createTranslator } from '../../web/src/i18n/translate.js';

describe('the web app’s translator', () => {
  const messages = {
    en: {
      greet: 'Hello, {name}',
      found: 'No sections found | {n} section found | {n} sections found',
      credits: '{n} credit | {n} credits',
      onlyEn: 'English only',
      nested: { deeper: { key: 'deep' } },
    },
    ko: {
      greet: '{name} 님, 안녕하세요',
      found: '분반 없음 | 분반 {n}개 | 분반 {n}개',
      credits: '{n}학점 | {n}학점',
    },
  };

  it('fills named parameters and leaves unknown ones visible', () => {
    const { t } = createTranslator(messages, 'en');
    expect(t('greet', { name: 'Mina' })).to.equal('Hello, Mina');
    expect(t('greet')).to.equal('Hello, {name}');
  });

  it('picks plural forms as vue-i18n does: 0 | 1 | more, or 1 | more', () => {
    const { t } = createTranslator(messages, 'en');
    expect([0, 1, 2, 17].map((n) => t('found', n))).to.deep.equal([
      'No sections found',
      '1 section found',
      '2 sections found',
      '17 sections found',
    ]);
    expect([0, 1, 3].map((n) => t('credits', n))).to.deep.equal(['0 credits', '1 credit', '3 credits']);
    expect(t('found', { n: 4 })).to.equal('4 sections found');
    expect(t('found', { n: 9 }, 1)).to.equal('9 section found');
  });

  it('follows the locale, falls back to English, then to the key', () => {
    const tr = createTranslator(messages, 'ko');
    expect(tr.t('greet', { name: '민아' })).to.equal('민아 님, 안녕하세요');
    expect(tr.t('found', 3)).to.equal('분반 3개');
    expect(tr.t('onlyEn')).to.equal('English only');
    expect(tr.te('onlyEn')).to.equal(false);
    expect(tr.t('no.such.key')).to.equal('no.such.key');
    expect(tr.t('nested.deeper')).to.equal('nested.deeper');
    tr.locale.value = 'en';
    expect(tr.t('nested.deeper.key')).to.equal('deep');
    expect(tr.te('onlyEn')).to.equal(true);
  });

  it('takes in words that arrive later (a lazily loaded part of the app), merged into what is there', () => {
    const tr = createTranslator(structuredClone(messages), 'ko');
    expect(tr.t('later.word')).to.equal('later.word');
    expect(tr.te('later.word')).to.equal(false);
    tr.add({ en: { later: { word: 'Later' }, nested: { other: 'x' } }, ko: { later: { word: '나중' } } });
    expect(tr.t('later.word')).to.equal('나중');
    expect(tr.te('later.word')).to.equal(true);
    tr.locale.value = 'en';
    expect([tr.t('later.word'), tr.t('nested.deeper.key'), tr.t('nested.other')]).to.deep.equal([
      'Later',
      'deep',
      'x',
    ]);
  });
});
