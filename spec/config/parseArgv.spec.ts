import { expect } from 'chai';
import { appSettings, globalSettings, serverSettings } from '../../lib/index.js';
import { parseArgv } from '../../lib/config/parseArgv.js';

const schema = { ...globalSettings, ...appSettings, ...serverSettings };
const values = (argv: string[]): unknown[] => parseArgv(argv, schema).entries.map((e) => e.value);

describe('parseArgv()', () => {
  it('should read long and short flags in every form, values as strings', () => {
    expect(values(['--workers', '2', '--workers=3', '-w', '4', '-w5', '-w=6'])).to.deep.equal([
      '2',
      '3',
      '4',
      '5',
      '6',
    ]);
    expect(parseArgv(['-w5'], schema).entries[0]).to.include({ key: 'workers', origin: '-w' });
  });

  it('should take --flag, --no-flag and --flag=value for booleans, never the next argument', () => {
    const parsed = parseArgv(['--debug', 'app.js', '--no-debug', '--debug=0'], schema);
    expect(parsed.entries.map((e) => e.value)).to.deep.equal([true, false, '0']);
    expect(parsed.positionals).to.deep.equal(['app.js']);
  });

  it('should take negative numbers and - as values or positionals, not flags', () => {
    const parsed = parseArgv(['-5', '--max-requests', '-1', '-'], schema);
    expect(parsed.entries.map((e) => e.value)).to.deep.equal(['-1']);
    expect(parsed.positionals).to.deep.equal(['-5', '-']);
  });

  it('should say a flag followed by another flag needs a value, and read the other one', () => {
    const parsed = parseArgv(['--workers', '--debug', '-b'], schema);
    expect(parsed.entries).to.deep.equal([
      { key: 'debug', value: true, source: 'flag', origin: '--debug' },
    ]);
    expect(parsed.problems.map((p) => [p.origin, p.expected])).to.deep.equal([
      ['--workers', 'needs a value'],
      ['-b', 'needs a value'],
    ]);
  });

  it('should refuse unknown flags with a hint, without taking their value', () => {
    const parsed = parseArgv(['--wokers', '4', '-xyz', '--no-workers', '--no-debug=1'], schema);
    expect(parsed.positionals).to.deep.equal(['4']);
    expect(parsed.problems.map((p) => [p.origin, p.value, p.expected])).to.deep.equal([
      ['--wokers', undefined, 'unknown option (did you mean --workers?)'],
      ['-x', 'yz', 'unknown option (did you mean -w?)'],
      ['--no-workers', undefined, '--no- is only for true/false settings'],
      ['--no-debug', '1', '--no-debug takes no value'],
    ]);
  });

  it('should end the flags at --', () => {
    const parsed = parseArgv(['-w', '2', '--', '--workers', '9'], schema);
    expect(parsed.positionals).to.deep.equal(['--workers', '9']);
  });
});
