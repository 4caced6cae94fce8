// A node-soap server hosting one OCPP-S service from its official WSDL, for the interop tests
// (tests/interop_soap/test_node_soap.py).
//
// usage: node server.js <wsdl file> <responses.json>
// responses.json: {"<Operation>": <response object in node-soap's form>, ...}; an answer
// {"__fault__": <fault object>} is thrown instead, as node-soap's SOAP fault.
// Prints "LISTENING <port>" once ready, then one JSON line per request received:
// {"op": ..., "headers": ..., "args": ...}, before answering it.
'use strict';
const fs = require('fs');
const http = require('http');
const soap = require('soap');

const [wsdlPath, responsesPath] = process.argv.slice(2);
const wsdlText = fs.readFileSync(wsdlPath, 'utf8');
const responses = JSON.parse(fs.readFileSync(responsesPath, 'utf8'));
const serviceName = /<wsdl:service name="(\w+)"/.exec(wsdlText)[1];
const portName = /<wsdl:port name="(\w+)"/.exec(wsdlText)[1];

const port = {};
for (const op of Object.keys(responses)) {
  port[op] = (args, callback, headers) => {
    process.stdout.write(JSON.stringify({ op, headers: headers || null, args: args || null }) + '\n');
    const answer = responses[op];
    if (answer && answer.__fault__) {
      throw answer.__fault__;
    }
    return answer;
  };
}
const services = { [serviceName]: { [portName]: port } };

const server = http.createServer((req, res) => { res.statusCode = 404; res.end(); });
server.listen(0, '127.0.0.1', () => {
  soap.listen(server, { path: '/ocpp', services, xml: wsdlText, forceSoap12Headers: true });
  process.stdout.write(`LISTENING ${server.address().port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
