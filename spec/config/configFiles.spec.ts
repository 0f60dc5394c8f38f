import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { loadConfig } from '../../lib/config/loadConfig.js';
import { appSettings, globalSettings, serverSettings } from '../../lib/config/settings.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const schema = { ...globalSettings, ...appSettings };
const serverSchema = { ...schema, ...serverSettings };

describe('config/', () => {
  it('should hold default.json: every setting but config, at its default', () => {
    const file = resolve(root, 'config/default.json');
    const loaded = loadConfig({ schema, env: {}, argv: ['--config', file] });
    const defaults = loadConfig({ schema, env: {} });
    expect({ ...loaded.values, config: null }).to.deep.equal(defaults.values);
    const keys = Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object);
    expect(keys).to.have.members(Object.keys(schema).filter((k) => k !== 'config'));
  });

  it('should hold helloworld.json: two workers on 127.0.0.1:8060', () => {
    const { values } = loadConfig({
      schema: serverSchema,
      env: {},
      argv: ['--config', 'config/helloworld.json'],
      cwd: root,
    });
    expect(values).to.include({ workers: 2, bind: '127.0.0.1:8060' });
  });

  it('should explain every setting in README.md', () => {
    const readme = readFileSync(resolve(root, 'config/README.md'), 'utf8');
    for (const key of Object.keys(serverSchema))
      expect(readme, key).to.match(new RegExp(`^\\| \`${key}\` +\\|`, 'm'));
  });
});
