<?php
// process_final_params.php — the Itgrix vendor example, unchanged in spirit: a default
// responsible per trunk for missed calls. Runs as is under asterisk-b24 (the PHP adapter puts
// the input in $params and prints what the file returns).

$responsible_by_trunk = [
    '+73432723033' => 5,
    '73432723033' => 5,
    '88007654321' => 456,
];

$trunk = $params['call_full']['channel']['trunk']['number'] ?? '';

if ($params['STATUS_CODE'] == 304 && isset($responsible_by_trunk[$trunk])) {
    $params['USER_ID'] = $responsible_by_trunk[$trunk];
}

// Returning $params whole is fine: call_full and other input-only keys are stripped.
return [
    'data' => $params,
    'state' => 'success',
];
