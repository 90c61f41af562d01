<?php
// post_registration.php — a missed call from an unknown number becomes a lead. Itgrix-era
// hooks called a separate Bitrix24 incoming webhook with curl; here b24_call() goes through the
// connector (its OAuth token, queue and rate limit), so no webhook secret lives in the file.

$call = $params['call_full'];
if ($params['call_stage'] === 'call_ended' && !$call['channel']['was_answered'] && empty($call['entity'])) {
    $phone = $call['channel']['from']['number'];
    $found = b24_call('crm.duplicate.findbycomm', ['type' => 'PHONE', 'values' => [$phone]]);
    if (empty($found['LEAD'])) {
        b24_call('crm.lead.add', ['fields' => [
            'TITLE' => "Missed call from {$phone}",
            'PHONE' => [['VALUE' => $phone, 'VALUE_TYPE' => 'WORK']],
            'SOURCE_ID' => 'CALL',
        ]]);
    }
}

return ['state' => 'success'];
