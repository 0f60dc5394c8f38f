import { expect } from 'chai';
import { envOf, flagOf, keyOfFlag, prefixKey } from '../../lib/config/names.js';

describe('names', () => {
  it('should derive kebab-case flags and upper snake case variables from camelCase keys', () => {
    expect(flagOf('workers')).to.equal('--workers');
    expect(flagOf('maxMessageSize')).to.equal('--max-message-size');
    expect(envOf('maxRequests')).to.equal('RXPULSAR_MAX_REQUESTS');
    expect(envOf('logLevel')).to.equal('RXPULSAR_LOG_LEVEL');
  });

  it('should map flags back to keys and prefix keys for MultiApp', () => {
    expect(keyOfFlag('max-requests')).to.equal('maxRequests');
    expect(prefixKey('rpc', 'maxRequests')).to.equal('rpcMaxRequests');
    expect(flagOf(prefixKey('rpc', 'workers'))).to.equal('--rpc-workers');
    expect(envOf(prefixKey('rpc', 'workers'))).to.equal('RXPULSAR_RPC_WORKERS');
  });
});
