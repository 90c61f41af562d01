export const MAIN_USAGE = `license-tool — asterisk-b24 licences (offline, machine-bound)

Usage: license-tool <command> [options]

Commands:
  keygen    (vendor)   create the vendor signing key pair
  request   (customer) write a licence request file for this machine
  issue     (vendor)   sign a licence for a request file
  verify    (both)     show what a licence allows and whether it is valid on this machine
  help [command]       show help for a command

Exit codes: 0 success / licence valid, 1 licence not valid (or expired), 2 usage or file error.
Run "license-tool help <command>" for the options of a command.`;

export const COMMAND_USAGE: Record<string, string> = {
  keygen: `Usage: license-tool keygen [--out-dir <dir>] [--name <name>] [--force]

Creates the vendor's ES256 (EC P-256) key pair:
  <dir>/<name>.key.pem   private key, file mode 0600 — keep it offline, never ship it
  <dir>/<name>.pub.pem   public key — embedded into connector builds
Options:
  --out-dir <dir>   where to write (default: current directory)
  --name <name>     file name prefix (default: vendor)
  --force           overwrite an existing key pair (every licence signed with the old key stops verifying)`,

  request: `Usage: license-tool request --customer <name> [--contact <email>] [--factors <list>]
                            [--machine-id-file <path>] [--product-version <x.y.z>] [--out <file>]

Run on the machine the connector runs on. Writes a licence request (JSON) holding only HASHED machine
identifiers; send it to your vendor.
Options:
  --customer <name>          your company name (required)
  --contact <email>          who the vendor should answer
  --factors <list>           identifiers to bind to, comma separated: machine-id,mac,hostname (default: all three)
                             e.g. --factors machine-id,hostname for a VM whose MAC changes on every boot
  --machine-id-file <path>   read the machine id from this file (default: /etc/machine-id, /var/lib/dbus/machine-id)
  --product-version <x.y.z>  product version to license (default: this tool's version)
  --out <file>               request file to write (default: asterisk-b24-license-request.json)`,

  issue: `Usage: license-tool issue --request <file> --private-key <file> (--expires <YYYY-MM-DD|never> | --days <n>)
                          --operators <n> [--pbxes <n>] [--portals <n>] [--features <list>]
                          [--customer <name>] [--license-id <id>] [--starts <YYYY-MM-DD>]
                          [--policy <rules>] [--min-version <x.y.z>] [--max-version <x.y.z>] [--out <file>]

Vendor side: signs a licence for the machine described by a request file.
Options:
  --request <file>       the customer's request file (required)
  --private-key <file>   the vendor private key from "keygen" (required)
  --expires <date>       last day of validity (UTC), or "never"
  --days <n>             valid for n days from now (instead of --expires)
  --operators <n>        licensed operators (required); --pbxes <n> (default 1); --portals <n> (default 1)
  --features <list>      feature flags, comma separated (default: none)
  --customer <name>      customer name on the licence (default: the one in the request)
  --license-id <id>      licence id (default: LIC-<date>-<random>)
  --starts <date>        first day of validity (default: now)
  --policy <rules>       how the machine must match: rules separated by "|", factors in a rule joined by "+"
                         (default: "machine-id|hostname+mac"; rules needing a factor the request lacks are dropped)
  --min-version, --max-version <x.y.z>   product versions covered (default: any)
  --out <file>           licence file to write (default: <licence id>.lic)`,

  verify: `Usage: license-tool verify --license <file> [--public-key <file>] [--request <file>]
                           [--machine-id-file <path>] [--product-version <x.y.z>] [--grace-days <n>] [--json]

Shows what a licence allows and whether it is valid on this machine (exit 0), or why not (exit 1).
Options:
  --license <file>           the licence file (required)
  --public-key <file>        vendor public key (default: the key embedded in this build)
  --request <file>           check against the machine described by this request file instead of this machine
  --machine-id-file <path>   read the machine id from this file
  --product-version <x.y.z>  also check the licence covers this version
  --grace-days <n>           grace period after expiry (default 14), as configured in the connector
  --json                     print the connector's status object as JSON`,
};
