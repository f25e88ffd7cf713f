"""moto server with DynamoDB requests applied one at a time.

DynamoDB applies the writes to an item one at a time: of two conditional writes racing on one item, at most one
passes its condition. moto's server is threaded and its DynamoDB backend takes no lock, so under load two racing
`attribute_not_exists` claims can both pass (a 100,000-job soak once saw two exactly-once claims both win fence 1).
This fills that gap, and only that one: every DynamoDB request runs under one lock, as if the table serialized
them. Other services are left as moto runs them.

Usage: the same arguments as moto_server (test/helpers/moto-server.ts passes -H and -p).
"""

import sys
import threading

from moto.dynamodb.responses import DynamoHandler
from moto.server import main

_lock = threading.Lock()
_call_action = DynamoHandler.call_action


def _serialized_call_action(self):
    with _lock:
        return _call_action(self)


DynamoHandler.call_action = _serialized_call_action

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
