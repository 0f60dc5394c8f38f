import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { appSettings, globalSettings } from '../../lib/config/settings.js';
import { settingsTable } from '../../lib/config/settingsTable.js';
import { expectedTable, normalize, TABLE_FILES, tableIn } from '../../tools/settingsTables.js';

describe('settingsTable()', () => {
  it('should have a row per setting, with its flag, variable and default', () => {
    const table = settingsTable({ ...globalSettings, ...appSettings });
    expect(table.split('\n')).to.have.length(
      2 + Object.keys({ ...globalSettings, ...appSettings }).length,
    );
    expect(table).to.contain('| `workers` | `-w`, `--workers` | `RXPULSAR_WORKERS` | `1` |');
    expect(table).to.contain('| `debug` | `--[no-]debug` |');
  });

  for (const name of TABLE_FILES) {
    it(`should be the settings table of ${name} (npm run docs writes it)`, () => {
      const text = readFileSync(new URL(`../../../${name}`, import.meta.url), 'utf8');
      const table = tableIn(text);
      expect(table, `${name} has a <!-- settings-table --> block`).to.be.a('string');
      expect(normalize(table!)).to.equal(normalize(expectedTable()));
    });
  }
});
