package dev.lethe.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which addresses a webhook may call: IPv6 forms that carry or tunnel to an IPv4 address are
 * judged by that address, so a NAT64, 6to4 or mapped spelling of 10.0.0.1 is as private as
 * 10.0.0.1 itself.
 */
class WebhookAddressesTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "10.0.0.1",
                "127.0.0.1",
                "169.254.169.254",
                "100.64.0.1",
                "0.0.0.0",
                "::",
                "::1",
                "::ffff:10.0.0.1",
                "::10.0.0.1",
                "64:ff9b::a00:1",
                "64:ff9b::7f00:1",
                "64:ff9b:1::808:808",
                "2002:a00:1::1",
                "2002:7f00:1::",
                "2001:0:4136:e378:8000:63bf:3fff:fdd2",
                "100::1",
                "fd00::1",
                "fe80::1"
            })
    void addressesThatReachPrivateNetworksAreRefused(String address) throws UnknownHostException {
        assertThat(WebhookUrls.isPublic(InetAddress.getByName(address))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "93.184.216.34",
                "::ffff:93.184.216.34",
                "64:ff9b::5db8:d822",
                "2002:5db8:d822::1",
                "2606:4700::1111"
            })
    void publicAddressesInAnySpellingAreAllowed(String address) throws UnknownHostException {
        assertThat(WebhookUrls.isPublic(InetAddress.getByName(address))).isTrue();
    }
}
