import { expect } from 'chai';
import { helpText } from '../../lib/config/helpText.js';
import { envOf, flagOf } from '../../lib/config/names.js';
import { appSettings, globalSettings } from '../../lib/config/settings.js';

const schema = { ...globalSettings, ...appSettings };

describe('helpText()', () => {
  it('should list every setting with its flag, env variable, default and doc', () => {
    const text = helpText(schema);
    const flat = text.replace(/\s+/g, ' ');
    for (const [key, setting] of Object.entries(schema)) {
      const flag = setting.format === 'bool' ? flagOf(key).replace('--', '--[no-]') : flagOf(key);
      expect(text, key).to.include(flag);
      expect(text, key).to.include(`env ${envOf(key)}, default `);
      expect(flat, key).to.include(setting.doc);
    }
    expect(text).to.match(/^Usage: rxpulsar <app-module> \[options\]/);
    expect(text).to.include('-w, --workers N');
    expect(text).to.include('--[no-]debug');
    expect(text).to.include('env RXPULSAR_TIMEOUT, default 30 seconds');
    expect(text).to.include('env RXPULSAR_PID_FILE, default none');
    expect(text.indexOf('Global options:')).to.be.lessThan(text.indexOf('App options:'));
  });

  it('should keep lines within 100 columns but for long flags', () => {
    for (const line of helpText(schema).split('\n')) {
      if (!line.startsWith('  --')) expect(line.length, line).to.be.at.most(100);
    }
  });

  it("should list an app's settings under its prefix and name the program", () => {
    const text = helpText(schema, { prefix: 'rpc', program: 'rxpulsar rpc.js' });
    expect(text).to.match(/^Usage: rxpulsar rpc\.js /);
    expect(text).to.include('App options (rpc):');
    expect(text).to.include('--rpc-max-requests N');
    expect(text).to.include('env RXPULSAR_RPC_MAX_REQUESTS, default 0');
    expect(text).to.include('--log-level');
    expect(text).to.not.include('-w, ');
  });
});
